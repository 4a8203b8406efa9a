/** The CMDB's vocabulary and views (what the cmdb service answers). */

/** The built-in classes of configuration items; a tenant adds its own (`/api/cmdb/classes`). */
export const BUILTIN_CI_CLASSES = [
  'server',
  'virtual_machine',
  'container',
  'pod',
  'k8s_cluster',
  'k8s_namespace',
  'k8s_node',
  'service',
  'application',
  'business_service',
  'database',
  'cache',
  'queue',
  'load_balancer',
  'network',
  'vpc',
  'zone',
  'region',
  'storage',
  'endpoint',
] as const;

/** The classes whose items group others (the infrastructure view's zones: members are `part_of` them). */
export const ZONE_CI_CLASSES = ['zone', 'vpc', 'region', 'network'] as const;

/** A class name: lower case, digits and underscores, starting with a letter. */
export const CI_CLASS_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;

export const CI_LIFECYCLE_STATUSES = ['planned', 'active', 'maintenance', 'retired'] as const;
export type CiLifecycleStatus = (typeof CI_LIFECYCLE_STATUSES)[number];

export const CI_CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export type CiCriticality = (typeof CI_CRITICALITIES)[number];

/**
 * Attributes that identify an item on their own (in this order of trust): an import or a discovery that
 * names one finds the item that holds it, whatever its name. Without them, class + name + environment does.
 */
export const CI_IDENTIFYING_ATTRIBUTES = ['k8s_uid', 'serial', 'hostname'] as const;
export type CiIdentifyingAttribute = (typeof CI_IDENTIFYING_ATTRIBUTES)[number];

/**
 * A relationship `source → target`: the source depends on, runs on, is hosted on, connects to, is part of,
 * or is a member of the target. When the target fails, the source is affected.
 */
export const RELATIONSHIP_TYPES = ['depends_on', 'runs_on', 'hosted_on', 'connects_to', 'part_of', 'member_of'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export const CI_SORTS = ['name', '-name', 'created_at', '-created_at', 'updated_at', '-updated_at', 'class', '-class'] as const;
export type CiSort = (typeof CI_SORTS)[number];

export interface CiPositionView {
  x: number;
  y: number;
}

/** A configuration item as the API answers it. */
export interface CiView {
  /** @format uuid */
  id: string;
  name: string;
  class: string;
  environment: string | null;
  /** A user (e-mail) or a team name. */
  owner: string | null;
  lifecycle_status: CiLifecycleStatus;
  criticality: CiCriticality | null;
  /** Free attributes (e.g. ip, os, hostname, serial, k8s_uid). */
  attributes: Record<string, unknown>;
  /** The infrastructure view's title (its metadata.customTitle); the name when unset. */
  title: string | null;
  /** Where the infrastructure view draws it. */
  position: CiPositionView | null;
  /** Relationships it is an end of. */
  relationship_count: number;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  /** Set when deleted (a deleted item is kept, with its history, and can be listed with include_deleted). @format date-time */
  deleted_at: string | null;
  /** Bumped by every change; answered as the ETag, checked against If-Match. */
  version: number;
  /** Its open incidents (not resolved or closed), newest first; in answers of GET /api/cmdb/items/:id. */
  open_incidents?: CiIncidentRefView[];
  /** Its changes approved, scheduled or in progress, soonest first; in answers of GET /api/cmdb/items/:id. */
  changes?: CiChangeRefView[];
}

/** An open incident on an item. */
export interface CiIncidentRefView {
  /** @format uuid */
  id: string;
  reference: string;
  title: string;
  status: string;
  priority: string;
  /** @format date-time */
  created_at: string;
}

/** A change planned or running on an item. */
export interface CiChangeRefView {
  /** @format uuid */
  id: string;
  reference: string;
  title: string;
  status: string;
  risk_level: string;
  /** @format date-time */
  scheduled_start: string | null;
  /** @format date-time */
  scheduled_end: string | null;
}

/** The open incidents and the planned or running changes of items (one entry per item that has any). */
export interface CiRecordsView {
  items: { ci_id: string; incidents: CiIncidentRefView[]; changes: CiChangeRefView[] }[];
}

/** How the names or ids given for items resolved in the tenant. */
export interface ResolvedCisView {
  items: {
    ref: string;
    /** The item's id, or null when nothing (or more than one item) answers to the ref. */
    id: string | null;
    /** The live items sharing the name, when it names several. */
    candidates: string[];
  }[];
}

/** A field's value before and after a change. */
export interface CiFieldChange {
  from: unknown;
  to: unknown;
}

/** One entry of an item's history: who changed what, when. */
export interface CiHistoryEntryView {
  /** @format date-time */
  at: string;
  action: 'created' | 'updated' | 'deleted' | 'restored' | 'imported';
  /** @format uuid */
  actor_id: string | null;
  actor_email: string | null;
  /** Field -> {from, to} (attributes per key, as `attributes.<key>`). */
  changes: Record<string, CiFieldChange>;
}

/** A relationship's end, with what a reader needs to recognise it. */
export interface CiRefView {
  /** @format uuid */
  id: string;
  name: string;
  class: string;
  environment: string | null;
  criticality: CiCriticality | null;
}

export interface RelationshipView {
  /** @format uuid */
  id: string;
  /** @format uuid */
  source_id: string;
  /** @format uuid */
  target_id: string;
  type: RelationshipType;
  criticality: CiCriticality;
  source: CiRefView;
  target: CiRefView;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
}

/** A class of configuration items: built in, or the tenant's own. */
export interface CiClassView {
  name: string;
  description: string;
  builtin: boolean;
  /** Items of this class group others (drawn as zones). */
  zone: boolean;
}

/** An item reached by an impact analysis. */
export interface ImpactItemView {
  ci: CiRefView;
  /** Relationships between a start item and this one (1: directly). */
  distance: number;
  /**
   * One shortest path as item ids, start item first, this item last. Every id on it is one of `roots` or an item of
   * the same answer (items are answered nearest first, so the steps of an answered path are answered too).
   */
  path: string[];
  /** The relationship types along the path, in order. */
  via: RelationshipType[];
  /** The most critical of the path's relationships and items (after the start). */
  worst_criticality: CiCriticality;
  /** Its open incidents (set by the gateway from the incidents service). */
  open_incidents?: CiIncidentRefView[];
  /** Its changes approved, scheduled or in progress (set by the gateway from the itsm service). */
  scheduled_changes?: CiChangeRefView[];
}

/** The blast radius of one or several items. */
export interface ImpactView {
  direction: 'upstream' | 'downstream';
  depth: number;
  roots: CiRefView[];
  /** Items reached (each once, at its shortest distance), nearest first. */
  items: ImpactItemView[];
  /** All items reached within the depth (items holds at most `max_items`). */
  total: number;
  /** The depth limit stopped the walk while there was more to reach. */
  depth_reached: boolean;
}

/** What a bulk import did. */
export interface CiImportReportView {
  created: number;
  updated: number;
  unchanged: number;
  relationships_created: number;
  relationships_unchanged: number;
  /** Per item, in the order given: its id (null for an item a dry run would create) and what happened to it. */
  items: { id: string | null; result: 'created' | 'updated' | 'unchanged' }[];
  /** Nothing was written: the report says what the import would do. */
  dry_run: boolean;
}

// ---------------------------------------------------------------- the infrastructure view (second document)

export interface InfraNodeMetadataView {
  /** The component's kind: its item's class. */
  type: string;
  /** The title shown instead of the label (customTitle). */
  custom_title: string | null;
  /** Relationships of the item (linkedCount). */
  linked_count: number;
}

/** A node of the infrastructure view: a configuration item that is not a zone. */
export interface InfraNodeView {
  /** @format uuid */
  id: string;
  /** Its item's class. */
  type: string;
  /** Its item's name. */
  label: string;
  metadata: InfraNodeMetadataView;
  position: CiPositionView | null;
  /** Its item's environment (environmentId). */
  environment_id: string | null;
  /** The zones it is part of. */
  zone_ids: string[];
}

/** A zone of the infrastructure view: an item of a zone class (zone, vpc, region, network, or the tenant's own); its components are the items `part_of` it. */
export interface InfraZoneView {
  /** @format uuid */
  id: string;
  name: string;
  /** Its item's class. */
  type: string;
  components: string[];
}

export interface InfraView {
  nodes: InfraNodeView[];
  zones: InfraZoneView[];
  /** Nodes in all (nodes holds at most max_nodes, by label). */
  total_nodes: number;
}
