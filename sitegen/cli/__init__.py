"""The command line (命令行): `sitegen` and its commands (`main`), the deployment commands (`deploy`), the
clerk's live preview (`serve`) and the scaffolds (`scaffold`)."""
