/**
 * The words seeded rows are made of, besides people's names (names.ts): titles, departments,
 * preferences, devices, applications and the work done on them. Log entries reuse the words of the
 * rows they are about (a deleted record's name, a deleted task's title).
 */

export const TITLES = [
  '',
  'Engineer',
  'Senior Engineer',
  'Field Engineer',
  'Data Steward',
  'Auditor',
  'Analyst',
  'Project Manager',
  'Service Desk Agent',
  'Security Architect',
  'Application Owner',
  'Director',
  'Head of IT',
  'Contractor',
  'Intern',
  'DBA',
  'Network Administrator',
  'Scheduler',
  'Chief of Staff',
  'Procurement Officer',
  'Team Lead',
  'Product Owner',
  'Site Reliability Engineer',
  'Consultant',
];
export const FUNCTIONAL_GROUPS = [
  '',
  'IT Operations',
  'Workplace',
  'Finance Apps',
  'Deskside',
  'Data Quality',
  'Internal Audit',
  'Leadership',
  'Automation',
  'Security',
  'HR Systems',
  'Networks',
  'Procurement',
  'Service Desk',
  'Research & Development',
  'Facilities',
  'Legal',
  'Sales Engineering',
  'Customer Success',
];
export const DATE_FORMATS = ['yyyy-mm-dd', 'yyyy-mm-dd', 'mm/dd/yyyy', 'dd/mm/yyyy', 'dd mon yyyy'];
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'curl/8.7.1',
  'python-requests/2.32.3',
];
export const COMPUTER_PREFIXES = ['WS', 'LT', 'SRV', 'VM', 'KIOSK'];
export const OPERATING_SYSTEMS = ['Windows 11', 'Windows 10', 'macOS 14', 'Ubuntu 24.04', 'RHEL 9'];
export const LOCATIONS = ['Oslo HQ', 'München', 'São Paulo', 'Kraków', 'Tokyo', 'Remote', 'Zürich', 'Dublin'];
export const APP_WORDS = [
  'Payroll',
  'Ledger',
  'Helpdesk',
  'Inventory',
  'Travel',
  'Badge',
  'Wiki',
  'CRM',
  'Billing',
  'Sign',
];
export const APP_KINDS = ['Portal', 'Service', 'Gateway', 'Suite', 'Console', 'API'];
export const TASK_VERBS = [
  'Replace',
  'Review access for',
  'Patch',
  'Renew certificate of',
  'Decommission',
  'Audit',
  'Upgrade',
  'Back up',
  'Reimage',
  'Onboard',
];
export const TASK_OBJECTS = [
  'laptop',
  'payroll service',
  'VPN gateway',
  'badge reader',
  'file server',
  'CRM tenant',
  'printer fleet',
  'kiosk',
  'wiki',
  'build agents',
];
