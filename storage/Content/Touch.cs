namespace Mirror.Storage.Content;

/// <summary>
/// SQL that touches content rows (the orphan fence's <c>touched</c>, see <see cref="ContentIndex"/>) taking their row locks in
/// one order, the primary key's. An UPDATE alone locks rows in the order its plan meets them, which differs between two
/// statements once updates have moved the rows; two syncs' manifests touching the same shared layers at once then lock
/// them crosswise and deadlock, PostgreSQL aborts one after its <c>deadlock_timeout</c>, and each retry can meet the next
/// (a first sync of 200 images on two layers stalled 30–60 s this way).
/// </summary>
internal static class Touch
{
    /// <summary>
    /// Two common table expressions, <c>{name}_locked</c> and <c>{name}</c>: the rows of <paramref name="table"/> (as
    /// <paramref name="alias"/>) that <paramref name="where"/> selects, locked in key order, then touched, returning
    /// <paramref name="returning"/> (columns of <paramref name="alias"/>).
    /// </summary>
    public static string Ctes(string name, string table, string alias, string where, string returning) => $"""
        {name}_locked as (select {alias}.id from {table} {alias} where {where} order by {alias}.id for update of {alias}),
        {name} as (update {table} {alias} set touched = clock_timestamp() from {name}_locked l where {alias}.id = l.id returning {returning})
        """;

    /// <summary>A statement that touches the rows <paramref name="where"/> selects and returns <paramref name="returning"/> of each.</summary>
    public static string Rows(string table, string alias, string where, string returning) =>
        $"with {Ctes("touched", table, alias, where, returning)} select * from touched";
}
