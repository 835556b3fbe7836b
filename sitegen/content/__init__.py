"""Stage 1, content (内容): read the content folder (`load`) into raw records, and the typed model they become.

The lowest layer: the error catalogue and its one format, dates, money, the boards and categories, the charts of
accounts, personal-data masking, safe Markdown, the strict config schemas, the one gate every clerk file passes
(`load.content_file`) and the plain dataclasses of the model. It imports nothing else of sitegen.
"""
