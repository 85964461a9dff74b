"""Face intelligence: embeddings, quality gate, gallery matching, age/gender/emotion estimates."""
