"""Deploy (发布): signed per-village bundles (`bundle`, `keys`), pushed to headends (`push`), the cron job
(`publish`), and the headend's side (`ingest`)."""
