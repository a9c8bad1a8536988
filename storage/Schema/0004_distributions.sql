-- Container distributions: where a repository (its latest version) or one fixed version is served
-- under /v2/<base_path>/. Names and base paths are unique through unique indexes; that no base path
-- nests inside another is checked under a transaction-scoped advisory lock by the only writer
-- (DistributionCatalog), so two concurrent writes cannot both pass the check.

create table mirror_distributions (
    id                    uuid primary key,
    name                  text not null,
    base_path             text not null,
    repository_id         uuid,
    version_repository_id uuid,
    version_number        integer,
    private               boolean not null,
    hidden                boolean not null,
    created               timestamptz not null,
    last_updated          timestamptz not null,
    doc                   jsonb not null,
    check (repository_id is null or version_repository_id is null),
    check ((version_repository_id is null) = (version_number is null))
);
create unique index mirror_distributions_name on mirror_distributions (name);
-- text_pattern_ops lets the overlap check find nested paths (base_path like 'foo/%') through the index.
create unique index mirror_distributions_base_path on mirror_distributions (base_path text_pattern_ops);
create index mirror_distributions_repository on mirror_distributions (repository_id) where repository_id is not null;
create index mirror_distributions_version on mirror_distributions (version_repository_id, version_number) where version_repository_id is not null;

-- The key that signs registry tokens when configuration gives none: made by the first gateway that needs
-- it (insert if absent), so every gateway signs with, and accepts tokens of, the same key.
create table mirror_token_keys (
    id          text primary key,
    private_pem text not null,
    created     timestamptz not null
);
