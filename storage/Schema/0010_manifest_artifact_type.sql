-- The manifest list shows each manifest's artifact type (OCI 1.1: the artifactType field, else the config's
-- media type).
create or replace view mirror_manifests_doc as
select m.id, m.digest, m.media_type, m.created,
       jsonb_build_object('Id', m.id, 'Digest', m.digest, 'MediaType', m.media_type, 'SchemaVersion', m.schema_version,
                          'ConfigBlobId', m.config_blob_id, 'Architecture', m.architecture, 'Os', m.os,
                          'CompressedImageSize', m.compressed_image_size, 'Type', m.type,
                          'Annotations', m.annotations, 'Labels', m.labels, 'Created', m.created,
                          'ArtifactType', m.artifact_type,
                          'ListedManifests', coalesce((select jsonb_agg(c.manifest_id order by c.position) from mirror_manifest_children c where c.list_id = m.id), '[]'::jsonb),
                          'Blobs', coalesce((select jsonb_agg(l.blob_id order by l.position) from mirror_manifest_layers l where l.manifest_id = m.id), '[]'::jsonb)) as doc
from mirror_manifests m;
