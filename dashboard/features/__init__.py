"""The dashboard by feature: each folder holds a feature's page(s) and the figures, tables and loaders only it uses."""
