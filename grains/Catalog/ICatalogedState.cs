namespace Mirror.Grains.Catalog;

/// <summary>The grain state of an object that also has a catalog row; <see cref="CatalogedRecord{TState,TRecord}"/> is its only writer.</summary>
public interface ICatalogedState<TRecord> where TRecord : class
{
    /// <summary>The object: null until it is created, and again once it is deleted.</summary>
    TRecord? Record { get; set; }

    /// <summary>True from a state write until the catalog row agrees with <see cref="Record"/>.</summary>
    bool RowPending { get; set; }

    /// <summary>While <see cref="RowPending"/>: the record the row still shows, to return to if the catalog refuses the new one.</summary>
    TRecord? Previous { get; set; }
}
