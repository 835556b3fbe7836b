"""Images (图片): decode and check scans, plan and make renditions (TV tiles, zoom tiles, phone renditions,
thumbnails) in worker processes (`renditions`), remembered by stat facts and content hashes (`digests`)."""
