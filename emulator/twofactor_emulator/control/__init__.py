"""The control API under `/_emulator/` (openapi/emulator-admin.yaml): test helpers and settings for
every provider family. No authentication: the emulator binds to 127.0.0.1 by default and holds
only test data.

- routes.py: the one route table (operationId, method, path -> handler);
- one module per resource: messages.py (outbox, wait, reset), otp.py, clock.py, delivery.py,
  webhooks.py, faults.py, credits.py, retention.py, health.py, inbox/ (the web page and its event stream);
- params.py: the JSON body, query parameters, phone numbers and `ControlError`.
"""
