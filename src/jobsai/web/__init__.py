"""The web app: a Gradio UI and an HTTP API over one shared, read-only model and index."""
