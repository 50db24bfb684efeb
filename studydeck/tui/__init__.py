"""The Textual review app. It calls the domain; nothing in the domain imports it."""
