-- Whether an upstream repository has OCI 1.1's referrers API, as a sync last found (a 404 says it has not). Remembered so
-- that a re-sync of an upstream without the API (distribution 2.8) asks nothing more than the tag list and the HEADs:
-- its referrers come through the sha256-<hex> tag schema, which the tag list shows. Asked again once the answer is old.
create table mirror_upstream_referrers_api (
    url        text not null,
    repository text not null,
    supported  boolean not null,
    checked    timestamptz not null,
    primary key (url, repository)
);
