"""The site (网站): plan every page and its links (`plan`, `finance_pages`, `feedback`, `search`, with
`charts` and `glossary`), decide what can be carried over (`reuse`), render (`render`) and write atomically
(`output`)."""
