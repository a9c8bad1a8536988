-- Pull-through caches (pulp_container's pull-through remotes and distributions) share the remote and distribution tables:
-- * mirror_remotes.pull_through: a pull-through remote (no upstream name: the path pulled names it); listed apart.
-- * mirror_distributions.pull_through: a pull-through distribution, which serves nothing itself; listed apart.
-- * mirror_distributions.pull_through_parent: the pull-through distribution whose first pull of a path made this one. Its base
--   path nests in its parent's, which the overlap rule allows for these two only (Pulp creates them without that check).
alter table mirror_remotes add column pull_through boolean not null default false;
alter table mirror_distributions add column pull_through boolean not null default false;
alter table mirror_distributions add column pull_through_parent uuid;
create index mirror_distributions_pull_through_parent on mirror_distributions (pull_through_parent) where pull_through_parent is not null;
create index mirror_distributions_pull_through on mirror_distributions (base_path) where pull_through;
