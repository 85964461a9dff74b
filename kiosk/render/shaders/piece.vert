in vec3 in_pos;
in vec3 in_nrm;
in vec2 in_uv;

uniform mat4 u_model;     // the part's segment frame (mm) -> camera space (mm, OpenCV axes)
uniform mat3 u_normal;    // inverse transpose of u_model's 3x3
uniform mat4 u_proj;      // camera space -> clip space of the rendered rectangle

out vec3 v_pos;
out vec3 v_nrm;
out vec2 v_uv;
out vec3 v_facet;         // the normal in the piece's own frame: a facet's identity for sparkle
out vec3 v_local;         // the position there (mm)

void main() {
    vec4 p = u_model * vec4(in_pos, 1.0);
    v_pos = p.xyz;
    v_nrm = u_normal * in_nrm;
    v_uv = in_uv;
    v_facet = in_nrm;
    v_local = in_pos;
    gl_Position = u_proj * p;
}
