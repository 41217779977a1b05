/**
 * What Latchkey's SCIM service provider says about itself (RFC 7643 §5–7): its configuration, the
 * User schema it keeps, and its resource types. Static: built from the base URL only.
 */

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Most list entries one request returns; a larger `count` gets this many (RFC 7644 §3.4.2.4). */
export const SCIM_MAX_RESULTS = 200;

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://github.com/latchkey/latchkey#scim-provisioning',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          "The identity provider's SCIM token, generated on its page in Latchkey (Identity providers → Provisioning).",
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

type Attribute = {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: Attribute[];
};

const attribute = (name: string, description: string, options: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});

const typedValue = (what: string) => [
  attribute('value', what),
  attribute('type', 'Latchkey keeps one, of type "work".'),
  attribute('primary', 'Always true for the one Latchkey keeps.', { type: 'boolean' }),
];

const USER_ATTRIBUTES: Attribute[] = [
  attribute('userName', "The account's email address (its sign-in name); unique in any letter case.", {
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', 'The person’s name.', {
    type: 'complex',
    subAttributes: [
      attribute('givenName', 'First name (at most 100 characters).'),
      attribute('familyName', 'Last name (at most 100 characters).'),
      attribute('formatted', 'First and last name.', { mutability: 'readOnly' }),
    ],
  }),
  attribute('displayName', 'First and last name.', { mutability: 'readOnly' }),
  attribute('title', 'Job title (at most 100 characters).'),
  attribute('active', 'False disables the account: its sessions and API token end at once.', { type: 'boolean' }),
  attribute('emails', 'The account’s email address (the same as userName).', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: typedValue('The email address.'),
  }),
  attribute('phoneNumbers', 'The account’s telephone number (one; at most 50 characters).', {
    type: 'complex',
    multiValued: true,
    subAttributes: typedValue('The telephone number.'),
  }),
];

const GROUP_ATTRIBUTES: Attribute[] = [
  attribute('displayName', "The directory's group name, matched by the provider's group mapping.", {
    required: true,
    uniqueness: 'server',
  }),
  attribute('members', 'Users of this identity provider in the group.', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attribute('value', 'The user’s ID.', { mutability: 'immutable' }),
      attribute('display', 'The user’s email.', { mutability: 'readOnly' }),
      attribute('$ref', 'The user’s URI.', { type: 'reference', mutability: 'readOnly' }),
    ],
  }),
];

export const SCIM_GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export function scimSchemas(baseUrl: string) {
  return [
    {
      schemas: [SCHEMA_SCHEMA],
      id: SCIM_USER_SCHEMA,
      name: 'User',
      description: 'A Latchkey account of this identity provider.',
      attributes: USER_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCIM_USER_SCHEMA}` },
    },
    {
      schemas: [SCHEMA_SCHEMA],
      id: SCIM_GROUP_SCHEMA_ID,
      name: 'Group',
      description:
        "A group of the identity provider's directory; its members' security group follows the group mapping.",
      attributes: GROUP_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCIM_GROUP_SCHEMA_ID}` },
    },
  ];
}

export function scimResourceTypes(baseUrl: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'Latchkey accounts (single sign-on accounts of this identity provider).',
      schema: SCIM_USER_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: "The identity provider's groups (mapped to security groups by its group mapping).",
      schema: SCIM_GROUP_SCHEMA_ID,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

/** A ListResponse of everything (the discovery endpoints never page). */
export function listOf<T>(resources: T[]) {
  return {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
