-- What syncs found an upstream repository to have: OCI 1.1's referrers API ('referrers-api'; a 404 says it has not) and
-- the registry signature extension ('signature-extension'; the X-Registry-Supports-Signatures header on /v2/). Remembered
-- so that a re-sync of an upstream without them (distribution 2.8) asks nothing more than the tag list and the HEADs:
-- its referrers come through the sha256-<hex> tag schema, which the tag list shows. Asked again once the answer is old.
create table mirror_upstream_features (
    url        text not null,
    repository text not null,
    feature    text not null,
    supported  boolean not null,
    checked    timestamptz not null,
    primary key (url, repository, feature)
);
