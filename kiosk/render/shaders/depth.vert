in vec3 in_pos;           // camera space, mm

uniform mat4 u_proj;
uniform float u_push;     // mm to push the occluder away along the view ray (tolerance)

void main() {
    vec3 p = in_pos * (1.0 + u_push / max(length(in_pos), 1.0));
    gl_Position = u_proj * vec4(p, 1.0);
}
