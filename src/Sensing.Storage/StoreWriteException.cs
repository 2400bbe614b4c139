namespace Sensing.Storage;

/// <summary>
/// The store did not accept a batch. <see cref="IsTransient"/> tells the caller what became of it: kept for the
/// next <see cref="StoreWriter.FlushAsync"/> (store unavailable) or dropped (the store rejected it with a 4xx).
/// </summary>
public sealed class StoreWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreWriteException(string message, int? statusCode, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        IsTransient = isTransient;
    }

    /// <summary>The last HTTP status the store answered with; null when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>
    /// True: the store was unavailable (5xx, 408, 429, connection error, timeout) after every retry; the batch is
    /// still held by the writer and the next flush sends it again. False: the store rejected the batch (4xx) and it
    /// was dropped, since sending the same bytes again cannot succeed.
    /// </summary>
    public bool IsTransient { get; }
}
