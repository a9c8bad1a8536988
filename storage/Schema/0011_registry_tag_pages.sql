-- /v2/<name>/tags/list pages by the spec's `last` cursor in byte order (collate "C"). Without an index in that order
-- every page joined the version's every tag and sorted them (O(version) per page); with it PostgreSQL walks the tag
-- names after `last` and checks each against the version's membership until the page is full: a keyset walk, as cheap
-- deep as at the start.
create index mirror_tags_name_bytes on mirror_tags (name collate "C", id);
