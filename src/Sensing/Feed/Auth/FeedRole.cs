namespace Sensing.Feed.Auth;

/// <summary>What an API key may do. Roles are ordered: an operator may do everything a viewer may.</summary>
public enum FeedRole
{
    /// <summary>Reads alerts, their history and the live stream.</summary>
    Viewer = 1,
    /// <summary>Also acknowledges, shelves and unshelves alerts.</summary>
    Operator = 2,
    /// <summary>Also adds, changes, revokes and removes devices of the registry (<c>/api/devices</c>).</summary>
    Admin = 3,
}

/// <summary>One API key as the keys file lists it: a name (the audit's "who"), a role, the SHA-256 of the key.</summary>
/// <param name="Name">Who holds the key; written as the actor of every action taken with it.</param>
/// <param name="Role">What the key may do.</param>
/// <param name="Sha256Hex">Lower-case hex SHA-256 of the key's UTF-8 bytes (the key itself is never stored).</param>
public sealed record ApiKeyEntry(string Name, FeedRole Role, string Sha256Hex);
