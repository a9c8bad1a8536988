namespace Mirror.Storage.Content;

/// <summary>
/// SQL that touches indexed blobs by digest (the orphan fence's <c>touched</c>, see <see cref="ContentIndex"/>)
/// after taking each digest's lock (<see cref="ContentIndex.DigestLock"/>), in the order every holder of several takes them.
/// An UPDATE alone locks rows in the order its plan meets them, which differs between two statements once updates have moved
/// the rows: the manifests of a first sync that share their layers, looking them up at once, locked them crosswise and
/// deadlocked, PostgreSQL broke one cycle a second, and each retry could meet the next (a first sync of 200 images on two
/// layers stalled 30–60 s). Locking the rows in order first (<c>select … order by … for update</c>, then the update) did not
/// do: the update of a row locked that way can queue behind the waiters for its tuple. Under the digests' locks no two
/// touches wait for one row, and the index's group commit (<see cref="StoredBlobCommits"/>) takes the same locks in the same
/// order; orphan cleanup holds one at a time.
/// For look-ups of a few digests (a manifest's blobs): each lock is an entry of PostgreSQL's shared lock table, which has
/// room for about 64 per connection, so a sync's look-up of all its manifests (thousands) touches them without.
/// </summary>
internal static class Touch
{
    /// <summary>
    /// A statement that touches the rows of <paramref name="table"/> (as <paramref name="alias"/>) whose digest is among
    /// <c>$1</c> (a text array) and that <paramref name="where"/> also selects, returning <paramref name="returning"/>.
    /// </summary>
    public static string ByDigest(string table, string alias, string where, string returning) => $"""
        with locked as (
            select count(*) from (select {ContentIndex.DigestLock("k.d")} from (select d from unnest($1::text[]) d order by hashtextextended(d, 0)) k) l)
        update {table} {alias} set touched = clock_timestamp()
        where {alias}.digest = any($1) and ({where}) and (select count(*) from locked) >= 0
        returning {returning}
        """;
}
