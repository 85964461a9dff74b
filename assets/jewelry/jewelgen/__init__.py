"""Procedural 3D jewelry for the bundled catalogue (see ../make_models.py, the one command).

Everything is built in millimetres in the piece's own space (+Y up, +Z out of the piece's
front, +X left-to-right seen from the front, the hook at the origin) and written to glTF in
metres. Only numpy is needed to build and write the models (OpenCV draws the interim sprites).
"""
