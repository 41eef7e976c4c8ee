"""The embedded default: Frontline's AWS resources in moto, built from template.yaml itself.

Development only: nothing a Lambda imports may import this package (it imports moto).
"""
