// One program per material variant (gpu.variant): KIND 0 pure metal, 1 gem, 2 pearl, 3 enamel,
// 4 polki, 5 general metallic-roughness; HAS_TEX with a base colour texture; MASK with an
// alpha cut-out. Everything is shaded in linear light, camera space (OpenCV axes, so the
// environment's directions need no change).
in vec3 v_pos;
in vec3 v_nrm;
in vec2 v_uv;
in vec3 v_facet;
in vec3 v_local;

uniform sampler2D u_env;       // equirect radiance, mipmapped
uniform float u_env_lod_max;
uniform float u_env_texel;     // angle one texel of level 0 spans (rad)
uniform float u_exposure;

uniform vec4 u_base;           // linear baseColorFactor
uniform float u_metallic;
uniform float u_roughness;
uniform vec3 u_emissive;
uniform float u_ior;
uniform float u_disp;
uniform sampler2D u_tex;
uniform float u_cutoff;        // alpha MASK cutoff
uniform float u_opacity;
uniform bool u_linear;         // write exposed linear radiance instead of display sRGB

out vec4 frag;

vec3 env(vec3 d, float lod) {
    return textureLod(u_env, equirect_uv(d), lod).rgb;
}

// Roughness -> mip level: a GGX lobe of alpha = r^2 reflects into a cone ~2.6 alpha wide;
// pick the level whose texels are that wide.
float lod_for(float rough) {
    float a = rough * rough;
    return clamp(log2(max(2.6 * a / u_env_texel, 1.0)), 0.0, u_env_lod_max);
}

// Split-sum environment BRDF for GGX / Smith with Schlick's Fresnel, Karis' analytic fit
// ("Physically Based Shading on Mobile", 2014): F0 * A + B.
vec3 env_brdf(vec3 f0, float rough, float nov) {
    const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
    const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
    vec4 r = rough * c0 + c1;
    float a004 = min(r.x * r.x, exp2(-9.28 * nov)) * r.x + r.y;
    vec2 ab = vec2(-1.04, 1.04) * a004 + r.zw;
    return f0 * ab.x + ab.y;
}

vec3 shade_pbr(vec3 n, vec3 v, vec3 base, float metallic, float rough, float nov) {
    vec3 f0 = mix(vec3(0.04), base, metallic);
    vec3 brdf = env_brdf(f0, rough, nov);
    vec3 spec = env(reflect(-v, n), lod_for(rough)) * brdf;
    vec3 diff = base * (1.0 - metallic) * sh_eval(n) * (1.0 - brdf);
    return diff + spec;
}

vec3 hash3(vec3 p) {
    return fract(sin(vec3(dot(p, vec3(127.1, 311.7, 74.7)), dot(p, vec3(269.5, 183.3, 246.1)),
                          dot(p, vec3(113.5, 271.9, 124.6)))) * 43758.5453);
}

// A store is lit by many small lamps that a blurred panorama cannot resolve. Cut stones are
// what shows them: this is a fixed field of small bright spots over the sphere of directions
// (one per cell of a grid, ~2 degrees wide), mean ~1, multiplying the environment's own
// radiance there, so a flash is as bright and as coloured as the light it comes from and
// halves when the light halves.
float spots(vec3 d) {
    vec3 p = normalize(d) * 7.0;
    vec3 cell = floor(p);
    vec3 centre = cell + 0.25 + 0.5 * hash3(cell);
    float r = length(p - centre);
    float s = 1.0 - smoothstep(0.0, 0.3, r);
    return 0.6 + 7.0 * s * s;
}

// A cut stone without ray tracing: strong Fresnel reflection off the facet, plus light that
// entered, bounced off a pavilion facet behind it and left through the crown, traced per colour
// channel with its own index (dispersion: fire). The pavilion facet seen through a point is
// a hash of the crown facet (its normal in the piece's frame: flat-shaded stones) and of a
// 0.9 mm cell of the piece's space, so a big table shows a mosaic of reflections as real ones
// do; neighbouring patches look at different parts of the room, and as the head moves their
// exit rays sweep across the spots: they flash in turn, in slightly different colours per
// channel. `sparkle` scales the spots' contrast.
vec3 shade_gem(vec3 n, vec3 v, vec3 base, float nov, float tilt, float sparkle, float lod) {
    float f0 = pow((u_ior - 1.0) / (u_ior + 1.0), 2.0);
    float fres = f0 + (1.0 - f0) * pow(1.0 - nov, 5.0);
    vec3 r = reflect(-v, n);
    vec3 refl = env(r, lod) * fres * mix(1.0, spots(r), sparkle);
    // (The lattice is turned off the piece's axes so its cells read as facets, not squares.)
    const mat3 turn = mat3(0.788, 0.519, -0.331, -0.453, 0.848, 0.275, 0.424, -0.107, 0.899);
    vec3 id = floor(v_facet * 40.0 + 0.5) + floor(turn * v_local / 0.9);
    vec3 pav = normalize(-n + tilt * (hash3(id) - 0.5));
    vec3 body = vec3(0.0);
    for (int c = 0; c < 3; ++c) {
        // Several bounces spread the colours further than one refraction would.
        float ior = u_ior + (float(c) - 1.0) * u_disp * 2.5;
        vec3 t = refract(-v, n, 1.0 / ior);
        vec3 e = reflect(t, pav);
        vec3 x = refract(e, -n, ior);
        if (dot(x, x) < 1e-6) {
            x = reflect(e, -n);          // total internal reflection: one more bounce
        }
        body[c] = env(x, lod)[c] * mix(1.0, spots(x), sparkle);
    }
    return refl + body * base * (1.0 - fres);
}

void main() {
    vec4 base = u_base;
#if HAS_TEX
    base *= texture(u_tex, v_uv);
#endif
#if MASK
    if (base.a < u_cutoff) {
        discard;
    }
#endif
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) {
        n = -n;
    }
    vec3 v = normalize(-v_pos);
    float nov = clamp(dot(n, v), 1e-4, 1.0);
    vec3 c;
#if KIND == 0
    c = env(reflect(-v, n), lod_for(u_roughness)) * env_brdf(base.rgb, u_roughness, nov);
#elif KIND == 3 || KIND == 5
    c = shade_pbr(n, v, base.rgb, u_metallic, u_roughness, nov);
#elif KIND == 1
    c = shade_gem(n, v, base.rgb, nov, 1.2, 1.0, 0.0);
#elif KIND == 2
    // Pearl: soft diffuse nacre, a broad gloss, and a sheen at grazing angles with the faint
    // pink-green overtone ("orient") of real pearls.
    float r = clamp(u_roughness, 0.15, 0.6);
    float rim = pow(1.0 - nov, 3.0);
    vec3 orient = mix(vec3(1.0, 0.93, 1.04), vec3(0.95, 1.03, 0.98), nov);
    vec3 brdf = env_brdf(vec3(0.04), r, nov);
    c = base.rgb * sh_eval(n) * (1.0 - 0.4 * rim) * (1.0 - brdf)
      + env(reflect(-v, n), lod_for(r)) * brdf
      + rim * orient * sh_eval(n) * 0.8;
#elif KIND == 4
    // Polki (uncut diamond on foil): milky and flat; a dim, blurred glint rather than fire.
    vec3 milk = base.rgb * sh_eval(n) * 0.8;
    c = milk + 0.35 * shade_gem(n, v, base.rgb, nov, 0.5, 0.15, lod_for(0.35));
#endif
    vec3 radiance = (c + u_emissive) * u_exposure;
    float a = u_opacity;
    frag = u_linear ? vec4(radiance * a, a) : vec4(srgb_encode(aces(radiance)) * a, a);
}
