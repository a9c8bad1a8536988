-- on_demand and streamed remotes: a sync records a layer as known (its digest, size, media type and the remote to
-- fetch it from, Pulp's remote artifact) without storing its bytes. stored = false until the first pull has fetched
-- and verified it; such a row is content like any other (versions hold it, manifests refer to it) but it is not
-- "nothing left to fetch": an immediate sync fetches it, and the registry API fetches it from its remote when pulled.
alter table mirror_blobs add column stored boolean not null default true;

drop view mirror_blobs_doc;
create view mirror_blobs_doc as
select id, digest, media_type, created,
       jsonb_build_object('Id', id, 'Digest', digest, 'Size', size, 'Created', created, 'Stored', stored) as doc
from mirror_blobs;
