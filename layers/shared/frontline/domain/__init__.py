"""Models, ports and services. Nothing here imports boto3 or httpx."""
