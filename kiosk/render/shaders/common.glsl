// Shared by every program (prepended after the #version line): the environment's mapping and
// diffuse SH basis exactly as kiosk/render/environment.py defines them, and the tone curve of
// kiosk/render/tone.py.
const float PI = 3.14159265358979;
const vec3 LUMA = vec3(0.2126, 0.7152, 0.0722);

uniform vec3 u_sh[9];

// Real SH bands 0-2, order and constants of environment.SH_C; u_sh is already cosine-convolved
// and divided by pi, so this is the diffuse radiance for albedo 1.
vec3 sh_eval(vec3 n) {
    const float C0 = 0.282095, C1 = 0.488603, C2 = 1.092548, C3 = 0.315392, C4 = 0.546274;
    return u_sh[0] * C0
         + u_sh[1] * (C1 * n.y) + u_sh[2] * (C1 * n.z) + u_sh[3] * (C1 * n.x)
         + u_sh[4] * (C2 * n.x * n.y) + u_sh[5] * (C2 * n.y * n.z)
         + u_sh[6] * (C3 * (3.0 * n.z * n.z - 1.0))
         + u_sh[7] * (C2 * n.x * n.z) + u_sh[8] * (C4 * (n.x * n.x - n.y * n.y));
}

// u = 0.5 + atan2(x, z) / 2pi, v = acos(-y) / pi (row 0 of the texture is straight up).
vec2 equirect_uv(vec3 d) {
    d = normalize(d);
    return vec2(0.5 + atan(d.x, d.z) / (2.0 * PI), acos(clamp(-d.y, -1.0, 1.0)) / PI);
}

// Narkowicz's fit of the ACES filmic curve (no built-in 0.6 pre-scale: exposure is the
// environment's), then the exact sRGB encoding.
vec3 aces(vec3 x) {
    x = max(x, vec3(0.0));
    return clamp(x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

vec3 srgb_encode(vec3 c) {
    c = clamp(c, 0.0, 1.0);
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), c));
}
