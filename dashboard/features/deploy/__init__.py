"""The Deploy page: what each model costs to serve on a CPU, and what int8 and ONNX Runtime save."""
