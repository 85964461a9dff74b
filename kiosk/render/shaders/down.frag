// A 2x2 supersampled still averaged down: sampling bilinearly at the corner shared by four
// source pixels weighs them equally (a box filter), and the read-back is a quarter the size.
uniform sampler2D u_src;
uniform vec2 u_rcp;            // 1 / source size
out vec4 frag;

void main() {
    frag = textureLod(u_src, 2.0 * gl_FragCoord.xy * u_rcp, 0.0);
}
