namespace Sensing.Rules;

/// <summary>What a <see cref="RulesWatcher"/> found: the file read again, or why it could not be used.</summary>
/// <param name="Rules">The new rules, or null when the file could not be used.</param>
/// <param name="Sha256">SHA-256 of the bytes read (empty when the file could not be read at all).</param>
/// <param name="Error">Why the file could not be used, or null.</param>
public sealed record RulesChange(RuleSet? Rules, string Sha256, RulesFileException? Error);

/// <summary>
/// Watches a rules file for changes without blocking its reader: a background loop reads the file every
/// <c>interval</c>, and when its bytes differ from the last ones seen (by SHA-256, so a touch or an editor's rewrite of
/// the same text is no change, and a Kubernetes ConfigMap's symlink swap is one) and read the same on the next poll
/// too (a file caught half-written is never used), reads and checks them. The outcome waits
/// in <see cref="TryTake"/> for the thread that owns the engine, which applies it between batches. Polling rather
/// than file-system events: editors replace files by rename and ConfigMaps swap directories, which events report
/// unevenly; a small file read every few seconds costs nothing.
/// </summary>
public sealed class RulesWatcher : IDisposable
{
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string _seenSha256;
    private string? _candidateSha256;
    private string? _seenProblem;
    private RulesChange? _pending;

    /// <summary>Starts watching the file <paramref name="current"/> was read from, every <paramref name="interval"/>.</summary>
    public RulesWatcher(RuleSet current, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(10));
        _path = current.File;
        _seenSha256 = current.Sha256;
        _loop = Task.Run(() => RunAsync(interval, _stop.Token));
    }

    /// <summary>How often <see cref="RulesWatcher"/> reads the file when none is given: every 2 s.</summary>
    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The file watched.</summary>
    public string File => _path;

    /// <summary>
    /// Takes the latest change found since the last call, if any (a later change replaces one not yet taken). Cheap:
    /// one volatile read when nothing changed.
    /// </summary>
    public bool TryTake(out RulesChange change)
    {
        change = Interlocked.Exchange(ref _pending, null)!;
        return change is not null;
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private void Poll()
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reported once per distinct problem: a file being replaced may be missing for a moment.
            Report(null, "", new RulesFileException(_path, 0, "", "cannot be read: " + e.Message, e));
            return;
        }

        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        if (sha256 == _seenSha256)
        {
            _seenProblem = null;
            _candidateSha256 = null;
            return;
        }

        // New bytes are taken once two polls in a row read them: a file caught while being written is not applied.
        if (sha256 != _candidateSha256)
        {
            _candidateSha256 = sha256;
            return;
        }

        _seenSha256 = sha256;
        _candidateSha256 = null;
        try
        {
            Report(RulesFile.Parse(bytes, _path), sha256, null);
        }
        catch (RulesFileException e)
        {
            Report(null, sha256, e);
        }
    }

    private void Report(RuleSet? rules, string sha256, RulesFileException? error)
    {
        if (error is not null)
        {
            if (error.Message == _seenProblem)
            {
                return;
            }

            _seenProblem = error.Message;
        }
        else
        {
            _seenProblem = null;
        }

        Volatile.Write(ref _pending, new RulesChange(rules, sha256, error));
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Poll();
        }
    }
}
