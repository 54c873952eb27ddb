package dev.virtsaga.providers.vsphere;

/**
 * The parts of the vim25 {@code ServiceContent} the adapter uses, read once by {@link
 * VimClient#connect()}.
 *
 * @param apiType {@code VirtualCenter} for a vCenter, {@code HostAgent} for a lone ESXi host
 * @param apiVersion the API version the server speaks, e.g. {@code 6.5}
 * @param rootFolder the inventory's root folder
 * @param propertyCollector the PropertyCollector
 * @param sessionManager the SessionManager
 * @param searchIndex the SearchIndex
 * @param viewManager the ViewManager (container views for inventory-wide reads), or {@code null}
 * @param customFieldsManager the CustomFieldsManager (the vmId tag), or {@code null} (ESXi)
 */
public record ServiceContent(
    String apiType,
    String apiVersion,
    ManagedObjectReference rootFolder,
    ManagedObjectReference propertyCollector,
    ManagedObjectReference sessionManager,
    ManagedObjectReference searchIndex,
    ManagedObjectReference viewManager,
    ManagedObjectReference customFieldsManager) {}
