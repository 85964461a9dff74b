"""The harness: drivers that run the product for tests, demos and measurements, never for a
customer.

- simulate: scripted customer visits recorded through the visit service (`kiosk simulate`,
  the load generator of the sync tests and of the post-upgrade dry run);
- soak: a store day at accelerated speed with the real app, daemon and a flaky devcloud
  (`script/soak`);
- autopilot: the soak's seller, who drives visits through the app's screens, and its camera
  cable (`Unpluggable`), both enabled only by environment variables;
- tour: every screen of a visit as screenshots (`kiosk app --tour`).

Nothing in the product imports this package: `kiosk.cli`, the composition root, dispatches its
commands and, for the soak, hands the window the autopilot and the cable through the window's
`Wiring` (kiosk/ui/wiring.py). The one product path that records simulated visits, the
post-upgrade smoke test (sync/dryrun.py), is given `simulate.run` by the command line too.
"""
