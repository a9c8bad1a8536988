using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Catalog;

/// <summary>
/// Reads pages of a catalog table and deletes its rows. Columns come only from the table's own fields (the
/// <see cref="ListField"/>s its catalog defines), never from a request, so every piece of SQL here is either a constant or
/// a parameter.
/// </summary>
/// <remarks>
/// A content table (<paramref name="contentType"/> set) pages one repository version in its default order (newest
/// first) by walking that version's membership rows in <c>mirror_repository_content_listed</c> order, and takes the count
/// from the version's <c>content_summary</c>: a deep page costs about what the first does, and no page counts the
/// version again.
/// </remarks>
internal sealed class CatalogSql(NpgsqlDataSource db, string table, IReadOnlyCollection<ListField> fields, Order defaultOrder, string? contentType = null)
{
    public async Task<Page<T>> ListAsync<T>(ListQuery query, CancellationToken ct)
    {
        if (InVersionByDefaultOrder(query) is { } version) return await ListVersionAsync<T>(query, version, ct);
        var command = db.CreateCommand();
        var where = new StringBuilder();
        foreach (var condition in query.Conditions)
        {
            where.Append(where.Length == 0 ? " where " : " and ");
            where.Append(Predicate(condition, command.Parameters));
        }
        var order = string.Join(", ", query.Ordering.Append(defaultOrder).Append(new Order(ListField.Id)).Select(OrderTerm));
        // The page's ids first, then the documents of those rows only: a view's doc (a join and a jsonb per row) is
        // built for one page, not for every row that matches, which is what keeps deep pages of 10,000 tags fast.
        command.CommandText = $"""
            with page as (select id from {table}{where} order by {order} limit {query.Limit} offset {query.Offset})
            select doc::text from page join {table} using (id) order by {order}
            """;
        var countParameters = command.Parameters.Select(p => p.Clone()).ToArray();
        var items = await command.RowsAsync(r => JsonSerializer.Deserialize<T>(r.GetString(0), CatalogJson.Options)!, ct);
        var count = items.Count < query.Limit && (query.Offset == 0 || items.Count > 0)
            ? query.Offset + items.Count
            : await CountAsync(where.ToString(), countParameters, ct);
        return new Page<T>(count, items);
    }

    /// <summary>
    /// The version the query lists when it is a content list of one repository version in the default order (other
    /// filters may narrow it): the case the membership index serves.
    /// </summary>
    private Content.VersionRef? InVersionByDefaultOrder(ListQuery query) =>
        contentType is not null
        && defaultOrder == new Order(Content.ContentCatalog.Fields.Created, Descending: true)
        && query.Conditions.Count(c => c.Match == Match.InVersion) == 1
        && query.Ordering.All(o => o == defaultOrder)
            ? (Content.VersionRef)query.Conditions.Single(c => c.Match == Match.InVersion).Value
            : null;

    private async Task<Page<T>> ListVersionAsync<T>(ListQuery query, Content.VersionRef version, CancellationToken ct)
    {
        var command = db.CreateCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = version.RepositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = version.Number });
        var narrowed = new StringBuilder();
        foreach (var condition in query.Conditions.Where(c => c.Match != Match.InVersion))
            narrowed.Append(narrowed.Length == 0 ? $" and content_id in (select id from {table} where " : " and ").Append(Predicate(condition, command.Parameters));
        if (narrowed.Length > 0) narrowed.Append(')');
        var membership = $"mirror_version_content($1, $2) where content_type = '{contentType}'{narrowed}";
        // The membership rule stays mirror_version_content's (PostgreSQL inlines it); the listed index yields the
        // version's rows of one type in the view's default order (created desc, id), so LIMIT/OFFSET end the walk early.
        command.CommandText = $"""
            with page as (select content_id, content_created from {membership}
                          order by content_created desc, content_id limit {query.Limit} offset {query.Offset})
            select d.doc from page cross join lateral (select t.doc::text as doc from {table} t where t.id = page.content_id) d
            order by page.content_created desc, page.content_id
            """;
        var countParameters = command.Parameters.Select(p => p.Clone()).ToArray();
        var items = await command.RowsAsync(r => JsonSerializer.Deserialize<T>(r.GetString(0), CatalogJson.Options)!, ct);
        if (items.Count < query.Limit && (query.Offset == 0 || items.Count > 0)) return new Page<T>(query.Offset + items.Count, items);
        var present = narrowed.Length == 0 ? await PresentAsync(version, ct) : null;
        return new Page<T>(present ?? await CountAsync($" where id in (select content_id from {membership})", countParameters, ct), items);
    }

    /// <summary>How much content of the list's type the version holds, as its commit counted it (null when the version is gone).</summary>
    private async Task<long?> PresentAsync(Content.VersionRef version, CancellationToken ct) =>
        await db.Command("""
            select coalesce((content_summary -> 'Present' ->> $3)::bigint, 0) from mirror_repository_versions where repository_id = $1 and number = $2
            """, version.RepositoryId, version.Number, contentType!).ScalarAsync(ct) as long?;

    public Task DeleteAsync(Guid id, CancellationToken ct) => db.Command($"delete from {table} where id = $1", id).ExecuteAsync(ct);

    /// <summary>Whether a row other than <paramref name="except"/> has this name: the check behind Pulp's 400 before an update task starts.</summary>
    public async Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct) =>
        (bool)(await db.Command($"select exists (select 1 from {table} where name = $1 and id <> $2)", name, except).ScalarAsync(ct))!;

    // Only a page that may not be the last needs the count of everything that matched.
    private async Task<long> CountAsync(string where, NpgsqlParameter[] parameters, CancellationToken ct) =>
        (long)(await db.Command($"select count(*) from {table}{where}", parameters).ScalarAsync(ct))!;

    private string OrderTerm(Order term) => term.Descending ? $"{Column(term.Field)} desc" : Column(term.Field);

    private string Column(ListField field) =>
        field == ListField.Id || fields.Contains(field) ? field.Column : throw new ArgumentException($"{field} is not a field of {table}");

    private string Predicate(Condition condition, NpgsqlParameterCollection parameters)
    {
        var column = Column(condition.Field);
        string Add(object value, NpgsqlDbType? type = null)
        {
            var parameter = type is { } t ? new NpgsqlParameter { Value = value, NpgsqlDbType = t } : new NpgsqlParameter { Value = value };
            parameters.Add(parameter);
            return $"${parameters.Count}";
        }
        string[] List() => condition.Value as string[] ?? [];
        // The content a version holds (mirror_version_content, the one definition of membership), added or removed.
        string Membership(string idColumn, string? changedColumn)
        {
            var version = (Content.VersionRef)condition.Value;
            var (repository, number) = (Add(version.RepositoryId), Add(version.Number));
            return changedColumn is null
                ? $"{idColumn} in (select content_id from mirror_version_content({repository}, {number}))"
                : $"{idColumn} in (select content_id from mirror_repository_content where repository_id = {repository} and {changedColumn} = {number})";
        }
        var text = condition.Value as string ?? "";
        return condition.Match switch
        {
            Match.Exact => $"{column}::text = {Add(text)}",
            Match.IExact => $"lower({column}::text) = lower({Add(text)})",
            Match.NotEqual => $"{column}::text <> {Add(text)}",
            Match.In => $"{column}::text = any({Add(List(), NpgsqlDbType.Array | NpgsqlDbType.Text)})",
            Match.NotIn => $"not ({column}::text = any({Add(List(), NpgsqlDbType.Array | NpgsqlDbType.Text)}))",
            Match.Contains => $"strpos({column}, {Add(text)}) > 0",
            Match.IContains => $"strpos(lower({column}), lower({Add(text)})) > 0",
            Match.StartsWith => $"starts_with({column}, {Add(text)})",
            Match.IStartsWith => $"starts_with(lower({column}), lower({Add(text)}))",
            Match.IsNull => (bool)condition.Value ? $"{column} is null" : $"{column} is not null",
            Match.ArrayContains => $"{column} @> array[{Add(text)}]::text[]",
            Match.ArrayContainsAny => $"{column} && {Add(List(), NpgsqlDbType.Array | NpgsqlDbType.Text)}",
            Match.InVersion => Membership(column, null),
            Match.AddedIn => Membership(column, "version_added"),
            Match.RemovedIn => Membership(column, "version_removed"),
            Match.LessThan => $"{column} < {Add(condition.Value)}",
            Match.LessOrEqual => $"{column} <= {Add(condition.Value)}",
            Match.GreaterThan => $"{column} > {Add(condition.Value)}",
            Match.GreaterOrEqual => $"{column} >= {Add(condition.Value)}",
            Match.Between when condition.Value is long[] { Length: 2 } bounds => $"{column} between {Add(bounds[0])} and {Add(bounds[1])}",
            // Versions (rows with repository_id and number) in which any of the content is present.
            Match.HoldsContent => $"""
                exists (select 1 from mirror_version_content({table}.repository_id, {table}.number) c
                        where c.content_id::text = any({Add(List(), NpgsqlDbType.Array | NpgsqlDbType.Text)}))
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(condition)),
        };
    }
}
