using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>A cataloged object's grain state still marked "row pending": its state name, its id, and when it was written.</summary>
public sealed record PendingRow(string StateName, Guid Id, DateTime Written);

/// <summary>
/// Finds the grain states of cataloged objects whose catalog row a write left pending: the mark (<c>RowPending</c>) the one write
/// path sets between its two writes, which stays in the stored state when a process dies between them. The states are the
/// Orleans ADO.NET provider's rows (<c>orleansstorage</c>, keyed by state name) in System.Text.Json, which writes the mark only
/// while it is true; the object's id is its record's (or, for a delete, its previous record's).
/// </summary>
public sealed class PendingRows(NpgsqlDataSource db)
{
    /// <summary>The database's clock: the stored states' times are its own, so the silos' clocks never enter the comparison.</summary>
    public async Task<DateTime> NowAsync(CancellationToken ct) => (DateTime)(await db.Command("select now()").ScalarAsync(ct))!;

    /// <summary>States of <paramref name="stateNames"/> marked pending and last written in [<paramref name="from"/>, <paramref name="before"/>).</summary>
    public async Task<IReadOnlyList<PendingRow>> ListAsync(string serviceId, IReadOnlyCollection<string> stateNames, DateTime from, DateTime before,
        CancellationToken ct) =>
        await db.Command("""
            select graintypestring, coalesce(state->'Record'->>'Id', state->'Previous'->>'Id')::uuid, modifiedon
            from (select graintypestring, modifiedon, convert_from(payloadbinary, 'UTF8')::jsonb as state
                  from orleansstorage
                  where serviceid = $1 and graintypestring = any($2) and payloadbinary is not null
                    and modifiedon >= $3 and modifiedon < $4) states
            where state->>'RowPending' = 'true'
            order by modifiedon
            """, serviceId, Sql.TextArray(stateNames), from, before).RowsAsync(r => new PendingRow(r.GetString(0), r.GetGuid(1), r.GetDateTime(2)), ct);
}
