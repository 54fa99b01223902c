"""Character language models: the Write page, and the language-model part of the Overview."""
