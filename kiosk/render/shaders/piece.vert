in vec3 in_pos;
in vec3 in_nrm;
in vec2 in_uv;
in float in_seg;          // the vertex's swing segment: 0 the rigid body, i the (i-1)th swing

uniform mat4 u_models[64];   // each segment's frame (mm) -> camera space (mm, OpenCV axes)
uniform mat4 u_proj;      // camera space -> clip space of the rendered rectangle

out vec3 v_pos;
out vec3 v_nrm;
out vec2 v_uv;
out vec3 v_facet;         // the normal in the piece's own frame: a facet's identity for sparkle
out vec3 v_local;         // the position there (mm)

void main() {
    mat4 m = u_models[int(in_seg + 0.5)];
    vec4 p = m * vec4(in_pos, 1.0);
    v_pos = p.xyz;
    v_nrm = transpose(inverse(mat3(m))) * in_nrm;
    v_uv = in_uv;
    v_facet = in_nrm;
    v_local = in_pos;
    gl_Position = u_proj * p;
}
