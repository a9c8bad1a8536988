-- A version's href names its repository's type (container or container-push), so the version documents carry it.
drop view mirror_repository_versions_doc;
create view mirror_repository_versions_doc as
select v.repository_id, v.number, v.id, v.created,
       jsonb_build_object('Id', v.id, 'RepositoryId', v.repository_id, 'Number', v.number, 'Created', v.created,
                          'ContentSummary', v.content_summary, 'Push', r.push) as doc
from mirror_repository_versions v join mirror_repositories r on r.id = v.repository_id;
