// Depth only: the colour mask is off while occluders are drawn, but llvmpipe (Mesa 22.3)
// still writes an undefined colour from a fragment shader with no output, leaving random
// premultiplied colour at zero alpha wherever an occluder hides a piece. Writing zero keeps
// the cleared colour whatever the driver does with the mask.
out vec4 frag;

void main() {
    frag = vec4(0.0);
}
