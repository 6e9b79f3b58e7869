"""The Comware CLI engine: command tree, views, line editing, paging and dialogues."""
