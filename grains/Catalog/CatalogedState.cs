namespace Mirror.Grains.Catalog;

/// <summary>
/// The grain state of an object that also has a catalog row; <see cref="CatalogedRecord{TState, TRecord}"/> is its only writer.
/// A state that holds more than the record (a task's operation) derives from it.
/// </summary>
[GenerateSerializer, Alias("mirror.CatalogedState`1")]
public class CatalogedState<TRecord> where TRecord : class
{
    /// <summary>The object: null until it is created, and again once it is deleted.</summary>
    [Id(0)] public TRecord? Record { get; set; }

    /// <summary>True from a state write until the catalog row agrees with <see cref="Record"/>.</summary>
    [Id(1)] public bool RowPending { get; set; }

    /// <summary>While <see cref="RowPending"/>: the record the row still shows, to return to if the catalog refuses the new one.</summary>
    [Id(2)] public TRecord? Previous { get; set; }

    /// <summary>
    /// With <see cref="RowPending"/>: the mark belongs to an unsettled write, which leaves it stored once the row is written
    /// and is sure to be followed by a settled one or an activation that finishes it (a task's reminder brings the task back
    /// every minute until its outcome), so <c>PendingRowSweep</c> leaves it alone.
    /// </summary>
    [Id(3)] public bool Unsettled { get; set; }
}
