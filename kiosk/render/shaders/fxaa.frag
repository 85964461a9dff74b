// FXAA, the compact early form (Lottes 2009, as in most WebGL ports): the cheap anti-aliasing
// for live frames when MSAA is too dear on llvmpipe (pixel-sized triangles make MSAA shade a
// pixel once per triangle touching it). Edges are found on a blend of coverage and brightness,
// so silhouettes against the transparent background are smoothed as well as edges between
// metal and stones; colour stays premultiplied because only whole RGBA samples are mixed.
// (The "quality" FXAA 3.11 with its edge search costs three times as much here: llvmpipe runs
// every lane of every branch and loop step.)
uniform sampler2D u_src;       // the aliased render, bilinear filtering
uniform vec2 u_rcp;            // 1 / texture size
out vec4 frag;

const float REDUCE_MIN = 1.0 / 128.0;
const float REDUCE_MUL = 1.0 / 8.0;
const float SPAN_MAX = 8.0;

float key(vec4 c) {
    return 0.5 * c.a + 0.5 * dot(c.rgb, LUMA);
}

vec4 at(vec2 uv) {
    return textureLod(u_src, uv, 0.0);
}

void main() {
    vec2 uv = gl_FragCoord.xy * u_rcp;
    ivec2 p = ivec2(gl_FragCoord.xy);
    vec4 centre = texelFetch(u_src, p, 0);
    float m = key(centre);
    float nw = key(texelFetch(u_src, p + ivec2(-1, 1), 0)), ne = key(texelFetch(u_src, p + ivec2(1, 1), 0));
    float sw = key(texelFetch(u_src, p + ivec2(-1, -1), 0)), se = key(texelFetch(u_src, p + ivec2(1, -1), 0));
    float lo = min(m, min(min(nw, ne), min(sw, se)));
    float hi = max(m, max(max(nw, ne), max(sw, se)));
    // The edge runs across the steepest change; sample along it.
    vec2 dir = vec2(-((nw + ne) - (sw + se)), (nw + sw) - (ne + se));
    float reduce = max((nw + ne + sw + se) * 0.25 * REDUCE_MUL, REDUCE_MIN);
    float scale = 1.0 / (min(abs(dir.x), abs(dir.y)) + reduce);
    dir = clamp(dir * scale, vec2(-SPAN_MAX), vec2(SPAN_MAX)) * u_rcp;
    vec4 a = 0.5 * (at(uv + dir * (1.0 / 3.0 - 0.5)) + at(uv + dir * (2.0 / 3.0 - 0.5)));
    vec4 b = 0.5 * a + 0.25 * (at(uv - 0.5 * dir) + at(uv + 0.5 * dir));
    float kb = key(b);
    frag = (kb < lo || kb > hi) ? a : b;
}
