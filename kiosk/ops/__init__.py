"""Running unattended: `kiosk doctor` (doctor.py), heartbeats, restart-loop guard and the status
both processes report (health.py), the one typed model of every status and disk report
(status.py), systemd's READY/WATCHDOG (sdnotify.py), the logs' format and where they go (logs.py)."""
