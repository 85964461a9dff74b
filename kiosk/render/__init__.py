"""The 3D renderer for pieces: glTF models, metallic-roughness PBR lit by an environment
estimated from the live frame, posed by the head, over EGL with no window.

camera.py, environment.py   the contract with the pose fit and the light estimate
context.py                  the headless GL 3.3 context (RenderUnavailable, probe for doctor)
model.py, gltf.py           .glb pieces in millimetres (kiosk.catalog.model3d checks them)
renderer.py                 Renderer.render(items, camera, env, occluders) -> Layer; render_each:
                            a frame's pieces side by side in one target, read back once
layout.py                   DrawItem, where posed pieces land on screen (projection, rectangles)
gpu.py, segments.py         GPU buffers, targets, the head occluder; swing segment matrices
occluder.py                 the head's depth-only occluder, culled to a piece's rectangle
light.py                    the scene light estimated from the frame (and the photo pieces' grade)
preview.py                  catalogue tiles and fallback sprites from a model
tone.py                     the tone curve, in numpy (and back, for the light estimate)
synthetic.py                small procedural pieces for tests (timing: `python -m kiosk.bench.render`)

Nothing here is imported by the package itself: importing kiosk.render does not load OpenGL.
"""
