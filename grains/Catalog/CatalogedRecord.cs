using Mirror.Storage.Catalog;

namespace Mirror.Grains.Catalog;

/// <summary>
/// The one write path of an object kept twice: its grain state, which is the truth, and its catalog row, the copy lists read.
/// A change writes the state (marked <see cref="CatalogedState{TRecord}.RowPending"/>, with the record the row still shows),
/// then the row, then clears the mark. A row the catalog refuses (a taken name, an overlapping base path) puts the state back
/// and throws Pulp's field error. A process that dies between the writes leaves the mark, and the object's next activation
/// finishes what it began: the row is written from the state, or, if the catalog refuses it now, the state goes back to the
/// previous record (a create that lost its name is removed). So a listed object is readable and a readable one is listed.
/// </summary>
/// <param name="kind">What the object is called in errors: "repository", "remote", "distribution".</param>
public sealed class CatalogedRecord<TRecord>(
    Grain grain,
    IPersistentState<CatalogedState<TRecord>> state,
    string kind,
    Func<TRecord, CancellationToken, Task> upsertRow,
    Func<Guid, CancellationToken, Task> deleteRow)
    where TRecord : class
{
    public TRecord? Record => state.State.Record;

    /// <summary>
    /// Creates the object from <paramref name="create"/>; a create run again (a task resumed after its silo died) gets what the
    /// first run made. Throws <see cref="ValidationFailedException"/> if the catalog refuses it; then nothing is left.
    /// </summary>
    public async Task<TRecord> CreateAsync(Func<TRecord> create, CancellationToken ct)
    {
        if (Record is { } existing) return existing;
        var record = create();
        await ChangeAsync(record, ct);
        return record;
    }

    /// <summary>Replaces the object with <paramref name="change"/> of it. Throws <see cref="ValidationFailedException"/> if it is gone or the catalog refuses the change; then nothing changed.</summary>
    public async Task<TRecord> UpdateAsync(Func<TRecord, TRecord> change, CancellationToken ct)
    {
        var record = change(Record ?? throw new ValidationFailedException("pulp_href", $"The {kind} no longer exists."));
        await ChangeAsync(record, ct);
        return record;
    }

    /// <summary>Finishes a change a dead process or a failed write left half made; meant for the grain's activation.</summary>
    public async Task RepairAsync(CancellationToken ct)
    {
        if (state.State.RowPending) await FinishAsync(ct);
    }

    /// <summary>Removes the object from the catalog and its state; a delete of an object already gone only makes sure of that.</summary>
    public async Task DeleteAsync(CancellationToken ct)
    {
        if (state.State.Record is null && !state.State.RowPending)
        {
            await deleteRow(grain.GetPrimaryKey(), ct);
            if (state.RecordExists) await state.ClearStateAsync(ct);
            return;
        }
        await ChangeAsync(null, ct);
    }

    private async Task ChangeAsync(TRecord? record, CancellationToken ct)
    {
        try
        {
            // A change an earlier call could not finish comes first, so Previous is always what the row shows.
            await RepairAsync(ct);
            state.State.Previous = state.State.Record;
            state.State.Record = record;
            state.State.RowPending = true;
            await state.WriteStateAsync(ct);
            CatalogWriteFault.AfterStateWrite(grain);
            if (await FinishAsync(ct) is { } refused)
                throw new ValidationFailedException(refused.Field, PulpMessages.Conflict(refused.OverlapsWith));
        }
        catch (Exception e) when (e is not ValidationFailedException)
        {
            // Not known what reached the database: a fresh activation reads the stored state, finds the mark and finishes.
            grain.DeactivateOnIdle();
            throw;
        }
    }

    // Brings the row to the state, or the state back to the row; returns the catalog's refusal, if that is what happened.
    private async Task<CatalogConflict?> FinishAsync(CancellationToken ct)
    {
        CatalogConflict? refused = null;
        try
        {
            if (state.State.Record is { } record) await upsertRow(record, ct);
            else await deleteRow(grain.GetPrimaryKey(), ct);
        }
        catch (CatalogConflictException e)
        {
            // The row was not written, so it still shows Previous (or nothing, for a create).
            refused = e.Conflict;
            state.State.Record = state.State.Previous;
        }
        state.State.RowPending = false;
        state.State.Previous = null;
        if (state.State.Record is null) await state.ClearStateAsync(ct);
        else await state.WriteStateAsync(ct);
        return refused;
    }
}
