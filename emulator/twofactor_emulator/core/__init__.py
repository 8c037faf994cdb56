"""What every provider family shares. No provider's texts or reply shapes live here.

- store.py (SQLite, schema, transactions), batching.py (group commit), clock.py, ids.py, phones.py;
- config.py (the TOML config: `[[accounts]]` and each family's own table);
- service.py (accounts, the outbox and its writes, credits charged, delivery settings, new-message signal);
- credits.py (SMS segments), delivery.py (statuses and magic numbers), webhooks.py (delivery reports);
- faults.py (fault rules, rate limit and their middleware), retention.py, background.py;
- routing.py (the literal-first router), http.py (bounded body reading, form parsing);
- heap.py (the command's long-lived objects kept out of the garbage collector's full scans);
- family.py: `ProviderFamily`, the interface a provider's folder under providers/ implements.
"""
