"""The 3D renderer for pieces: glTF models, metallic-roughness PBR lit by an environment
estimated from the live frame, posed by the head, over EGL with no window."""
