"""Looking inside a classifier: the Playground (any text, any run), Inside the model and Top words pages."""
