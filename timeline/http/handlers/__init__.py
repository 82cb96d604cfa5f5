"""HTTP handlers: parse the request, call the application off the event loop, render."""
