"""Running unattended: `kiosk doctor` (doctor.py), heartbeats, restart-loop guard and the status
both processes report (health.py), systemd's READY/WATCHDOG (sdnotify.py), the logs' format and
where they go (logs.py)."""
