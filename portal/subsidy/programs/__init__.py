"""The administrator's room for programs: settings, pause, price tiers, dashboard (§1.2, §1.4)."""
